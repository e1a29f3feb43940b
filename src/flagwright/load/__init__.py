"""Reading a config repository: files → YAML documents → typed models, with positions."""
