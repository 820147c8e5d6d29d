package bot

import "context"

// ReadyReminders is what Start does with reminders before it returns.
func (b *Bot) ReadyReminders(ctx context.Context) error { return b.reminders.ready(ctx) }
