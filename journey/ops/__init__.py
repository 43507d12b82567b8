"""Operations: deployment checks, backup and restore."""
