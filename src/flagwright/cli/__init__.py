"""The command line: parse arguments, call the core, format results. Nothing else."""
