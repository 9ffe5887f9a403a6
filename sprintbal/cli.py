"""Command-line interface (placeholder until the analyze command lands)."""

from __future__ import annotations


def main() -> None:
    """Run the sprintbal command line."""
