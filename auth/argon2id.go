package auth

// Argon2id is the service's password scheme, as the domain's
// register.Passwords sees it: HashPassword, CheckPassword and the policy
// beside them.
type Argon2id struct{}

// Hash is HashPassword.
func (Argon2id) Hash(password string) (string, error) { return HashPassword(password) }

// Check is CheckPassword.
func (Argon2id) Check(hash, password string) bool { return CheckPassword(hash, password) }

// DummyCheck is DummyCheck.
func (Argon2id) DummyCheck(password string) { DummyCheck(password) }

// Problem is PasswordProblem.
func (Argon2id) Problem(password, username string) string { return PasswordProblem(password, username) }

// Generate is GeneratePassword.
func (Argon2id) Generate() (string, error) { return GeneratePassword() }

// WellFormed is WellFormedHash.
func (Argon2id) WellFormed(hash string) bool { return WellFormedHash(hash) }

// MaxLength is MaxPasswordLength.
func (Argon2id) MaxLength() int { return MaxPasswordLength }
