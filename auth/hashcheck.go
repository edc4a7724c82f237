package auth

// WellFormedHash reports whether s is a password hash CheckPassword can use:
// an argon2id PHC string within the cost bounds it accepts. A restore checks
// hashes with it, so that a crafted account cannot hold a hash whose cost
// would stall every login attempt on it.
func WellFormedHash(s string) bool {
	_, ok := parsePHC(s)
	return ok
}
