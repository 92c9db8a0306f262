"""The platform's component library: typed config, one ComponentResource per concern, pure plans."""
