"""`flask journey` commands for operations, added to the group by journey.cli."""

commands: list = []
