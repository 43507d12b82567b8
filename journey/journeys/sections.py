"""Context for the plan, assessment and note sections of the enrollment page."""


def context(enrollment) -> dict:
    """Extra template variables for the plan, assessment and note partials."""
    return {}
