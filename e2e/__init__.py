"""dhard end-to-end sandbox: see e2e/NOTES.md."""
