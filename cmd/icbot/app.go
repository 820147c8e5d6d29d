package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"icbot/adapters/console"
	"icbot/adapters/discord"
	"icbot/bot"
	"icbot/config"
	"icbot/storage"
)

// Main wires configuration, store, bot and adapter together and runs them.
type Main struct {
	Config *config.Config
	Env    Env
	// Empty skips the console demo.
	Empty  bool
	Logger *slog.Logger
	// discordOptions are extra Discord adapter options (tests: a fake).
	discordOptions []discord.Option

	store *storage.Store
}

// consoleAdmin is the console's operator when no admins are configured:
// the console is one person at one terminal, who may grant any role.
const consoleAdmin bot.UserID = "admin"

// Run opens the database and runs the configured adapter until ctx is done
// or, for the console, its input ends.
func (m *Main) Run(ctx context.Context) error {
	key, err := resolveKey(m.Config, m.Logger)
	if err != nil {
		return err
	}
	st, err := storage.Open(m.Config.Storage.Path, storage.WithTimeout(m.Config.Storage.OpenTimeout), storage.WithLogger(m.Logger),
		storage.WithKey(key.key))
	if err != nil {
		return err
	}
	m.store = st
	m.Logger.Info("started", "component", "main", "version", versionString(), "adapter", m.Config.Adapter,
		"db", m.Config.Storage.Path, "key_id", st.KeyID(), "zone", m.Config.Location().String())
	switch m.Config.Adapter {
	case "console":
		return m.runConsole(ctx)
	case "slack":
		return m.runSlack(ctx)
	case "discord":
		return m.runDiscord(ctx)
	default:
		return fmt.Errorf("adapter %q is not available in this build yet; use adapter: console", m.Config.Adapter)
	}
}

// Close closes the database.
func (m *Main) Close() error {
	if m.store == nil {
		return nil
	}
	err := m.store.Close()
	m.store = nil
	return err
}

func (m *Main) clock() bot.Clock {
	if m.Env.Clock != nil {
		return m.Env.Clock
	}
	return time.Now
}

func (m *Main) admins() []bot.UserID {
	ids := make([]bot.UserID, len(m.Config.Admins))
	for i, a := range m.Config.Admins {
		ids[i] = bot.UserID(a)
	}
	return ids
}

func (m *Main) runConsole(ctx context.Context) error {
	zone := m.Config.Location()
	if m.Empty {
		if err := m.sayEmptyIgnored(ctx); err != nil {
			return err
		}
	} else {
		if _, err := console.SeedDemo(ctx, m.store, m.clock()(), zone); err != nil {
			return fmt.Errorf("seeding the demo: %w", err)
		}
	}
	info, err := m.production(ctx)
	if err != nil {
		return err
	}
	admins := m.admins()
	if len(admins) == 0 {
		admins = []bot.UserID{consoleAdmin}
	}
	opts := []console.Option{console.WithEcho(!m.Env.Interactive)}
	me := admins[0]
	if info.Seeded {
		me = "adam"
		opts = append(opts, console.DemoChannels()...)
	}
	// Files sent to people (/report scene) are written beside the
	// database, each person's in a folder of their own.
	opts = append(opts, console.WithIdentity(me), console.WithReports(filepath.Join(filepath.Dir(m.Config.Storage.Path), "reports")))
	chat := console.New(m.Env.Stdout, opts...)
	boardOpt, startBoard, stopBoard, err := m.consoleBoard()
	if err != nil {
		return err
	}
	defer stopBoard()
	var extra []bot.Option
	if boardOpt != nil {
		extra = append(extra, boardOpt)
	}
	b := bot.New(m.store, chat, m.botOptions(admins, console.SetChannel, extra...)...)
	fmt.Fprint(m.Env.Stdout, console.Banner(info.Name, zone, me, info.Seeded))
	startBoard(b)
	stop, err := m.startBackground(ctx, b)
	if err != nil {
		return err
	}
	defer stop()
	return chat.Run(ctx, m.Env.Stdin, b)
}

// sayEmptyIgnored tells the operator that --empty changes nothing on a
// database that already holds a production: the demo is only ever seeded
// into a new one, so --empty cannot take it out again, and a database
// started before without the demo never gets it. The start goes on, so
// that a command line kept with --empty still starts.
func (m *Main) sayEmptyIgnored(ctx context.Context) error {
	var info bot.ProductionInfo
	err := m.store.View(ctx, func(tx bot.Tx) error {
		var err error
		info, err = tx.Production()
		return err
	})
	switch {
	case err != nil || info.Name == "":
		return err
	case info.Seeded:
		fmt.Fprintf(m.Env.Stderr, "icbot: --empty is ignored: database %s already holds the demo production %q; to start without the demo, give a new database with --db\n",
			m.Config.Storage.Path, info.Name)
	default:
		fmt.Fprintf(m.Env.Stderr, "icbot: --empty is ignored: database %s already holds the production %q (--empty only keeps the demo out of a new database)\n",
			m.Config.Storage.Path, info.Name)
	}
	return nil
}

// botOptions are the bot's settings from the configuration, for any
// adapter; extra adds the adapter's own.
func (m *Main) botOptions(admins []bot.UserID, setChannel bot.ChannelID, extra ...bot.Option) []bot.Option {
	p := m.Config.Production
	opts := []bot.Option{
		bot.WithClock(m.clock()), bot.WithLogger(m.Logger), bot.WithZone(m.Config.Location()),
		bot.WithAdmins(admins...), bot.WithSetChannel(setChannel),
		bot.WithRiderNotice(p.RiderNotice), bot.WithRiderWarnings(p.RiderWarnings...), bot.WithReminderGrace(p.ReminderGrace),
	}
	// Both were validated when the configuration was loaded.
	if s, err := config.ParseCron(p.DigestCron); err == nil {
		opts = append(opts, bot.WithDigest(s))
	}
	var hh, mm int
	if _, err := fmt.Sscanf(p.WrapTime, "%d:%d", &hh, &mm); err == nil {
		opts = append(opts, bot.WithWrapTime(hh, mm))
	}
	// /report scene format=pdf is laid out by icbot export's PDF writer.
	zone := m.Config.Location()
	opts = append(opts, bot.WithRenderer("pdf", func(e bot.SceneExport) ([]byte, error) {
		var buf bytes.Buffer
		err := writePDF(&buf, e.RecordHead, []bot.SceneRecord{e.Scene}, fmt.Sprintf("%s: scene %s", e.Production, e.Scene.ID), zone)
		return buf.Bytes(), err
	}))
	// The end-of-day report goes out at the wrap time.
	opts = append(opts, bot.WithDayReport())
	// The web board's links start with http.public_url (the console
	// may serve it on a port of its own choosing: its option comes in
	// extra, after this one).
	if m.boardOn() {
		opts = append(opts, bot.WithBoard(m.Config.HTTP.PublicURL))
	}
	// The consent records are shredded when the retention after wrap
	// has passed (production.wrap_date, or the one icbot wrap recorded).
	opts = append(opts, botRetention(m.Config))
	return append(opts, extra...)
}

// startBackground readies b to answer and starts its background work
// until stop (bot.Bot.Start): the closed-set locks a previous run left
// are finished and the reminders a command would find missing are
// derived before it returns, so that every adapter's first answer sees
// them; the messages left queued, retries and reminders go on in the
// background.
func (m *Main) startBackground(ctx context.Context, b *bot.Bot) (stop func(), err error) {
	return b.Start(ctx)
}

// production reads the stored production and brings its name and time
// zone in line with the configuration (a name that is only the default
// does not replace a stored one), with an audit record for each change.
func (m *Main) production(ctx context.Context) (bot.ProductionInfo, error) {
	var info bot.ProductionInfo
	// Read first: a start with nothing to change writes nothing, so waits
	// for no sync to disk.
	var changes []string
	err := m.store.View(ctx, func(tx bot.Tx) error {
		var err error
		info, err = tx.Production()
		_, changes = m.productionChanges(info)
		return err
	})
	if err != nil || len(changes) == 0 {
		return info, err
	}
	err = m.store.Update(ctx, func(tx bot.Tx) error {
		var err error
		if info, err = tx.Production(); err != nil {
			return err
		}
		was := info.Zone
		if info, changes = m.productionChanges(info); len(changes) == 0 {
			return nil
		}
		if was != "" && was != info.Zone {
			m.Logger.Warn("the production's time zone changed; call times keep their instants and are now shown in the new zone",
				"component", "main", "was", was, "now", info.Zone)
		}
		if err := tx.PutProduction(info); err != nil {
			return err
		}
		return tx.Audit(bot.AuditRecord{Time: m.clock()().UTC(), Actor: "icbot", Action: "production.set",
			Summary: "production settings from configuration: " + strings.Join(changes, ", ")})
	})
	return info, err
}

// productionChanges brings the stored production's name and zone in line
// with the configuration, and names what changed.
func (m *Main) productionChanges(info bot.ProductionInfo) (bot.ProductionInfo, []string) {
	var changes []string
	name := m.Config.Production.Name
	if info.Name == "" || (name != config.Default().Production.Name && name != info.Name) {
		info.Name = name
		changes = append(changes, "name")
	}
	if zone := m.Config.Location().String(); info.Zone != zone {
		info.Zone = zone
		changes = append(changes, "time zone "+zone)
	}
	return info, changes
}
