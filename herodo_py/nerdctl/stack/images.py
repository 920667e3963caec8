"""The images a stack needs, before any service starts: built (compose ``build:``) or pulled
when missing locally. One ``image inspect`` answers for all images when all are present."""

from __future__ import annotations

from ..executor import execute_nerdctl_command
from .spec import StackSpec

__all__ = ["ensure_images"]


def _present(images: list[str]) -> bool:
    """Whether every one of ``images`` is here (one ``image inspect``)."""
    return bool(images) and execute_nerdctl_command(["image", "inspect", *images], check=False).success


def ensure_images(stack: StackSpec, *, build: bool = False) -> list[str]:
    """Build the services' images that have a recipe (always when ``build``, else only when
    missing) and pull the other missing ones; return what was built or pulled."""
    from ..image import image_build, image_pull

    wanted = list(dict.fromkeys(s.image for s in stack.services.values()))
    recipes = {s.image: s.build for s in stack.services.values() if s.build is not None}
    done: list[str] = []
    if not build and _present(wanted):
        return done
    for image in wanted:
        recipe = recipes.get(image)
        # one image asked for and not all here: that one is missing (no second inspect)
        here = False if (not build and len(wanted) == 1) else _present([image])
        if recipe is not None and (build or not here):
            image_build(image, recipe.context, recipe.dockerfile, recipe.args)
            done.append(image)
        elif recipe is None and not here:
            image_pull(image)
            done.append(image)
    return done
