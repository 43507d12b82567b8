"""Context for the exit and follow-up section of the enrollment page."""


def context(enrollment) -> dict:
    """Extra template variables for ``outcomes/_section.html``."""
    return {}
