"""Quantization recipes: what the lowp-quantize pass does to a model's
matmuls (docs/Python.md, "Recipes")."""

from __future__ import annotations

from typing import Mapping, Union

from ._errors import FormatError

Recipe = Union[str, Mapping[str, str]]

_KEYS = {"weights": "weights", "activations": "activations",
         "first_last": "first-last", "first-last": "first-last",
         "hadamard": "hadamard"}


def recipe_text(recipe: Recipe) -> str:
    """The recipe as lowp-quantize's option reads it: a recipe's name
    ("mxfp4", "nvfp4", "mxfp4-mxfp8", ...), "KEY:VALUE;..." entries, or a
    mapping {"weights": ..., "activations": ..., "first_last": ...,
    "hadamard": "B" or "B/SEED"}."""
    if isinstance(recipe, str):
        text = recipe
    elif isinstance(recipe, Mapping):
        entries = []
        for key, value in recipe.items():
            if key not in _KEYS:
                raise FormatError(f"{key!r} is not a recipe key: expected "
                                  "weights, activations, first_last or "
                                  "hadamard")
            if not isinstance(value, str):
                raise FormatError(f"the recipe's {key} must be a format or "
                                  f"encoding, got {value!r}")
            entries.append(f"{_KEYS[key]}:{value}")
        text = ";".join(entries)
    else:
        raise FormatError("a recipe is a name, 'KEY:VALUE;...' text or a "
                          f"mapping, got {type(recipe).__name__}")
    if '"' in text or "\n" in text:
        raise FormatError(f"a recipe cannot contain quotes or newlines: "
                          f"{text!r}")
    return text


def recipe_option(recipe: Recipe) -> str:
    """lowp-quantize's option string for the recipe."""
    return f'recipe="{recipe_text(recipe)}"'
