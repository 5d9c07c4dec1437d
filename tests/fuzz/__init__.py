"""Helpers of the fuzz test (tests/test_fuzz.py): hostile issue files and a sandbox to run them."""
