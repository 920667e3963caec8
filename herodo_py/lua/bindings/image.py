"""Images in Lua: ``nerdctl_images`` and ``nerdctl_image_*`` (the library: :mod:`herodo_py.nerdctl.image`)."""

from __future__ import annotations

from .rows import DOCUMENT, RESULT, RESULT_LIST_FIELDS, Noun, P, TypeDef, function

NOUN = Noun(
    "image",
    types=(
        TypeDef("Image", "record", "One image reference (images).", "herodo_py.nerdctl.image:Image"),
        TypeDef("ImageList", "record", "Images, with the command's stdout, stderr, success, code.",
                "herodo_py.nerdctl.image:ImageList", RESULT_LIST_FIELDS, item="Image"),
    ),
    rows=(
        function("nerdctl_images", "images", [], "ImageList",
                 "Images (a list of records that also carries stdout, stderr, success, code)."),
        function("nerdctl_image_remove", "image_remove", [P("image", "string"), P("force", "boolean?")], RESULT,
                 "Remove an image.", changes_state=True),
        function("nerdctl_image_push", "image_push", [P("image", "string"), P("destination", "string?")], RESULT,
                 "Push an image (tagged as destination first when given).", changes_state=True),
        function("nerdctl_image_tag", "image_tag", [P("image", "string"), P("new_name", "string")], RESULT,
                 "Tag an image.", changes_state=True),
        function("nerdctl_image_pull", "image_pull", [P("image", "string")], RESULT, "Pull an image.",
                 changes_state=True),
        function("nerdctl_image_commit", "image_commit", [P("container", "string"), P("image_name", "string")], RESULT,
                 "Save a container's filesystem as an image.", changes_state=True),
        function("nerdctl_image_build", "image_build", [P("tag", "string"), P("context_path", "string"),
                                                        P("dockerfile", "string?"),
                                                        P("build_args", "table<string,string>?")],
                 RESULT, "Build an image from a folder with a Dockerfile.", changes_state=True, guard="build"),
        function("nerdctl_image_exists", "image_exists", [P("image", "string")], "boolean",
                 "Whether an image is here."),
        function("nerdctl_image_inspect", "image_inspect", [P("image", "string")], DOCUMENT, "An image's document."),
        function("nerdctl_image_save", "image_save", [P("images", "string|string[]"), P("path", "string",
                                                                                      "tarball path")],
                 RESULT, "Save images to one tarball (all or nothing).", changes_state=True, guard="save"),
        function("nerdctl_image_load", "image_load", [P("path", "string")], "string[]",
                 "Load the images of a tarball; their names.", changes_state=True, guard="load"),
        function("nerdctl_image_import", "image_import", [P("path", "string", "a filesystem tarball"),
                                                          P("reference", "string")], RESULT,
                 "Make an image from a filesystem tarball (Container:export's).", changes_state=True,
                 guard="import"),
    ),
)
