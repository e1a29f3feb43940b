"""`flagwright init DIR`: a new config repository that validates and renders as it is."""
