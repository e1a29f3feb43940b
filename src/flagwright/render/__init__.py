"""Render: values, Applications, ConfigMaps and bundles into rendered/ (docs/reference.md)."""
