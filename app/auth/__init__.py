"""Sign-in for editors and admins: argon2 password hashes, expiring and revocable JWT tokens."""
