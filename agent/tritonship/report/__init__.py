"""Report writers: JUnit XML and HTML pages for Jenkins, shared by every verb."""
