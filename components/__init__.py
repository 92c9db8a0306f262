"""Import aliases for Pulumi state written before the library moved to `secure_platform`.

Not part of the library (the wheel does not ship it). Stacks created from this repository hold
the spot optimizer's dynamic provider pickled *by reference* as `components.spot.provider`
(dill stores the module path and the class name in the resource's `__provider` input). The
engine hands that old value to the provider host for `diff`, `read` (refresh) and `delete`; the
host (`python -m pulumi.dynamic`, started in the project directory, which `-m` puts on
`sys.path`) must still import it. After the next `pulumi up` the state holds the new path.
"""
