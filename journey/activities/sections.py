"""Context for the activity section of the enrollment page."""


def context(enrollment) -> dict:
    """Extra template variables for ``activities/_section.html``."""
    return {}
