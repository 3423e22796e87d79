"""Jenkins job seeding: model projects listed in pipelines/models.yaml become a folder and a multibranch
pipeline job each, rendered as config.xml (Jinja2) and created or updated through python-jenkins,
compared against the live configuration so that a second run writes nothing."""
