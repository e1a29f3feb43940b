"""`flagwright eval` and `explain`: one environment compiled in memory, asked of the runtime."""
