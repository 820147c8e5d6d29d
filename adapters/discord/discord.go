// Package discord is icbot's Discord adapter. It registers icbot's
// commands as application commands with typed options (scene ids with
// autocomplete, users, channels, roles, choices, and attachments for a
// file such as the screenplay of /scene import, fetched from Discord's
// CDN and handed over with the command), receives interactions
// over the gateway or a signed HTTP endpoint, answers each within Discord's
// three seconds with the caller's ephemeral answer, and does the rest
// afterwards through the REST API: DMs, posts, follow-up messages, and a
// closed-set lock made of the scene channel's permission overwrites.
//
// Each interaction is turned into the same command line the Slack and
// console adapters hand over, through the bot's catalogue; no discordgo
// type goes past this package.
package discord

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"icbot/adapters/internal/inflight"
	"icbot/adapters/internal/recent"
	"icbot/adapters/internal/sample"
	"icbot/bot"
)

// Handler runs commands, and hears of channels whose readers may have
// changed outside icbot; *bot.Bot is one.
type Handler interface {
	Handle(ctx context.Context, cmd bot.Command) *bot.Outcome
	FollowUp(ctx context.Context, o *bot.Outcome)
	ChannelChanged(ctx context.Context, ch bot.ChannelID)
	Catalogue() []bot.CommandInfo
	Groups() []bot.GroupInfo
	SceneChoices(ctx context.Context, caller bot.UserID, prefix string) ([]bot.SceneChoice, error)
}

// Config is what the adapter needs from icbot's configuration.
type Config struct {
	Token         string // the bot token
	ApplicationID string
	GuildID       string            // register commands in this server only; global when empty
	PublicKey     ed25519.PublicKey // verifies the HTTP interactions endpoint
	APIURL        string            // Discord's base URL; a fake or proxy
}

// Adapter is the Discord chat: it implements bot.Chat, bot.Locker,
// bot.Replier and bot.MemberLister, and receives interactions.
type Adapter struct {
	cfg     Config
	session *discordgo.Session
	api     api
	log     *slog.Logger
	clock   func() time.Time

	// dms remembers the DM channel of each person icbot wrote to.
	dms *recent.Map[bot.UserID, string]

	mu      sync.Mutex
	botID   string // icbot's user id, when there is no gateway session
	closing bool   // set by Close: no new interactions are run
	opened  bool   // set by Open, which may run once
	// closeOnce makes Close's work happen once; closeErr is its result.
	closeOnce sync.Once
	closeErr  error
	// own lists, per channel, the permission overwrites icbot's own
	// changes leave it with, one after another, so that the channel
	// updates they cause are told apart from changes made by others.
	// Read and changed under mu.
	own *recent.Map[string, []string]

	// inflight counts follow-ups still running after their answer.
	inflight inflight.Group
	// refusals thins out the log lines of refused, unsigned requests.
	refusals sample.Every
	// deferAfter is how long an interaction's answer may take before a
	// deferred answer is sent in its place, inside Discord's 3 seconds.
	deferAfter time.Duration
}

var (
	_ bot.Chat         = (*Adapter)(nil)
	_ bot.Locker       = (*Adapter)(nil)
	_ bot.Replier      = (*Adapter)(nil)
	_ bot.MemberLister = (*Adapter)(nil)
)

// Option configures an Adapter.
type Option func(*Adapter)

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(a *Adapter) { a.log = l } }

// WithClock sets the clock used for reply-handle ages and signatures.
func WithClock(c func() time.Time) Option { return func(a *Adapter) { a.clock = c } }

// WithHTTPClient sets the HTTP client of the REST API and gateway lookup,
// as tests do to reach a local fake.
func WithHTTPClient(c *http.Client) Option { return func(a *Adapter) { a.session.Client = c } }

// New returns a Discord adapter.
func New(cfg Config, opts ...Option) (*Adapter, error) {
	s, err := discordgo.New("Bot " + cfg.Token)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	// Interactions arrive whatever the intents; guilds brings the channel
	// updates that say who may read a channel. discordgo's state, which
	// would keep every server icbot is added to, with its channels and
	// roles, is off: the adapter asks Discord each time, and needs only
	// its own user, which discordgo keeps from READY all the same.
	s.Identify.Intents = discordgo.IntentsGuilds
	s.StateEnabled = false
	s.ShouldRetryOnRateLimit = true
	a := &Adapter{cfg: cfg, session: s, api: s, log: slog.New(slog.DiscardHandler), clock: time.Now, deferAfter: 2 * time.Second,
		refusals: sample.Every{Interval: time.Minute}}
	for _, o := range opts {
		o(a)
	}
	a.dms = recent.New[bot.UserID, string](dmsKept, 0, a.clock)
	a.own = recent.New[string, []string](ownChannels, ownLife, a.clock)
	if cfg.APIURL != "" {
		base, err := url.Parse(cfg.APIURL)
		if err != nil || base.Host == "" {
			return nil, fmt.Errorf("discord.api_url %q is not a URL", cfg.APIURL)
		}
		s.Client = &http.Client{Timeout: 20 * time.Second, Transport: rebase{base: base, next: transportOf(s.Client)}}
	}
	a.log = a.log.With("component", "discord")
	return a, nil
}

// Bounds of what the adapter remembers, so that no stream of
// interactions or gateway events, however many people or channels they
// name, makes it grow without end.
const (
	// dmsKept DM channels, the people written to longest ago forgotten
	// first (Discord is asked again); a DM channel does not change, so
	// none expires.
	dmsKept = 10_000
	// ownChannels channels' expected overwrites (see expect), each kept
	// for ownLife after icbot's last change to the channel: the channel
	// update a change causes comes within seconds, or within minutes
	// when the gateway resumes after a break. One that comes later, or
	// for a channel forgotten, has the bot check the channel's readers
	// as after a change made by someone else: a needless check, never a
	// missed one.
	ownChannels = 1000
	ownLife     = 10 * time.Minute
)

// rebase sends Discord's requests to another base URL (a proxy).
type rebase struct {
	base *url.URL
	next http.RoundTripper
}

func (r rebase) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = r.base.Scheme, r.base.Host
	req.Host = r.base.Host
	return r.next.RoundTrip(req)
}

func transportOf(c *http.Client) http.RoundTripper {
	if c != nil && c.Transport != nil {
		return c.Transport
	}
	return http.DefaultTransport
}

// Open makes the adapter ready and starts receiving: it checks the
// token by asking Discord who icbot is, registers icbot's commands with
// Discord, and connects to the gateway, which hands every interaction to
// h; it returns once icbot has identified itself on the gateway, or with
// the first failure. A channel's permission overwrites changed by
// someone other than icbot (a CHANNEL_UPDATE, which the Guilds intent
// brings) have h check who reads the channel now, in the background;
// Close waits for it. Interactions sent to the HTTP endpoint are served
// by Routes, on whatever server the caller runs. Open may be called once.
func (a *Adapter) Open(ctx context.Context, h Handler) error {
	if err := a.openHTTP(ctx, h); err != nil {
		return err
	}
	a.session.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		a.respond(a.inflight.Context(), h, ic.Interaction, func(r *discordgo.InteractionResponse) error {
			return a.api.InteractionRespond(ic.Interaction, r)
		})
	})
	a.session.AddHandler(func(s *discordgo.Session, cu *discordgo.ChannelUpdate) {
		if cu.Channel == nil || (a.cfg.GuildID != "" && cu.GuildID != a.cfg.GuildID) || a.ownChange(cu.Channel) {
			return
		}
		if !a.begin() {
			return
		}
		go func() {
			defer a.inflight.Done()
			h.ChannelChanged(a.inflight.Context(), bot.ChannelID(cu.ID))
		}()
	})
	if err := a.session.Open(); err != nil {
		return fmt.Errorf("discord: opening the gateway: %w", err)
	}
	return nil
}

// openHTTP is Open without the gateway, for interactions over HTTP
// alone: the token checked and the commands registered. Channel changes
// made by others then go unnoticed.
func (a *Adapter) openHTTP(ctx context.Context, h Handler) error {
	a.mu.Lock()
	if a.opened || a.closing {
		a.mu.Unlock()
		return fmt.Errorf("discord: Open was called after Close, or twice")
	}
	a.opened = true
	a.mu.Unlock()
	u, err := a.api.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("discord: checking the token: %w", failure("read icbot's own user", err))
	}
	a.mu.Lock()
	a.botID = u.ID
	a.mu.Unlock()
	_, err = a.register(h)
	return err
}

// register replaces icbot's application commands with the bot's catalogue:
// in one server when a guild id is configured (new commands show at once),
// globally otherwise.
func (a *Adapter) register(h Handler) ([]*discordgo.ApplicationCommand, error) {
	cmds, err := a.api.ApplicationCommandBulkOverwrite(a.cfg.ApplicationID, a.cfg.GuildID, applicationCommands(h.Groups()))
	if err != nil {
		return nil, fmt.Errorf("discord: registering commands: %w", failure("register icbot's commands", err))
	}
	a.log.Info("commands registered", "count", len(cmds), "guild", a.cfg.GuildID)
	return cmds, nil
}

// Close stops taking interactions, disconnects from the gateway, and
// waits for those already running and their follow-ups. It may be
// called more than once, and without Open; it returns the first call's
// error.
func (a *Adapter) Close() error {
	a.closeOnce.Do(func() {
		a.mu.Lock()
		a.closing = true
		a.mu.Unlock()
		a.closeErr = a.session.Close()
		a.inflight.Wait()
	})
	return a.closeErr
}

// Ready reports whether Discord has accepted the token.
func (a *Adapter) Ready() error {
	if a.botUserID() == "" {
		return fmt.Errorf("discord: the token has not been accepted yet")
	}
	return nil
}

// Wait blocks until follow-ups started by interactions have finished.
func (a *Adapter) Wait() { a.inflight.Wait() }

// StopAfter ends, once grace has passed, the follow-ups still running:
// what they had not sent stays queued for the next start. A stop calls it
// so that its wait for them is bounded; only the first call counts.
func (a *Adapter) StopAfter(grace time.Duration) { a.inflight.StopAfter(grace) }

// caller is the person behind an interaction, in a server or a DM.
func caller(i *discordgo.Interaction) (id, name string) {
	u := i.User
	if i.Member != nil && i.Member.User != nil {
		u = i.Member.User
		if i.Member.Nick != "" {
			return u.ID, i.Member.Nick
		}
	}
	if u == nil {
		return "", ""
	}
	if u.GlobalName != "" {
		return u.ID, u.GlobalName
	}
	return u.ID, u.Username
}

// clean makes a display name safe inside <@id|name> markup.
func clean(s string) string {
	return strings.NewReplacer("|", "", ">", "", "<", "").Replace(s)
}
