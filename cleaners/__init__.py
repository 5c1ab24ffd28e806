"""newsclean's pure library: extraction, boilerplate, normalization, MinHash/LSH, clustering.

Nothing in this package imports Prefect, opens files or reads environment variables: the same
input and config give the same output, and expected bad input comes back as a `Reject` value.
"""

__version__ = "0.1.0"
