"""One module per verb: parse options, call one core function, render its result."""
