"""GDPR: data-subject export, anonymisation and retention."""
