"""The batch engine (PRODUCT.md §7.1): whole counties and provinces from tables, identical to
``assess`` for every child. Requires the ``batch`` extra."""
