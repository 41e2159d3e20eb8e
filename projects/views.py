"""Thin views of the catalogue: each calls one service."""
