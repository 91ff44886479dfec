"""Builders shared by the tests and bench/: throwaway databases and test Argos packages."""
