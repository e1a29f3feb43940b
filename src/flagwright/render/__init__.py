"""Render: values, Applications, ConfigMaps and bundles into rendered/ (design.md §4)."""
