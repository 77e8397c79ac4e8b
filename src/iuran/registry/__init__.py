"""Who is a member, in which family and segment, and which payer account pays for them each month."""
