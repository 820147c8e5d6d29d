package bot

// Claim marks deliveries as being sent, as a command's follow-up does,
// for tests of what the retry loop does meanwhile.
func (b *Bot) Claim(ids ...uint64) []uint64 { return b.claim(ids) }
