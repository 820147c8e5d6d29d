package discord

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// maxBody caps what an interaction request may carry.
const maxBody = 1 << 20

// freshness is how old a signed request may be.
const freshness = 5 * time.Minute

// Routes returns the HTTP interactions endpoint, POST /discord/interactions:
// Discord signs each request with Ed25519 over timestamp + body; a missing,
// wrong or stale signature (more than five minutes away) gets 401 and
// changes nothing. A PING is answered with a PONG after verification.
func (a *Adapter) Routes(h Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /discord/interactions", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil || len(body) > maxBody || !a.verify(r.Header, body) {
			if ok, skipped := a.refusals.Allow(a.clock()); ok { // anyone may send these: one line a minute at most
				a.log.Warn("refused an unverified interaction request", "refused_since_last_logged", skipped)
			}
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var i discordgo.Interaction
		if err := json.Unmarshal(body, &i); err != nil {
			http.Error(w, "malformed interaction", http.StatusBadRequest)
			return
		}
		if a.isClosing() {
			http.Error(w, "icbot is stopping", http.StatusServiceUnavailable)
			return
		}
		answered := false
		a.respond(a.inflight.Context(), h, &i, func(resp *discordgo.InteractionResponse) error {
			answered = true
			body, err := json.Marshal(resp)
			if err != nil {
				return err
			}
			// The whole answer goes out now, its length given, so that
			// Discord has it before any follow-up to it starts.
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusOK)
			if _, err := w.Write(body); err != nil {
				return err
			}
			return http.NewResponseController(w).Flush()
		})
		if !answered {
			http.Error(w, "unsupported interaction", http.StatusBadRequest)
		}
	})
	return mux
}

// verify checks the Ed25519 signature over timestamp + body, and that the
// timestamp is recent (discordgo's VerifyInteraction does not check that).
func (a *Adapter) verify(hdr http.Header, body []byte) bool {
	if len(a.cfg.PublicKey) != ed25519.PublicKeySize {
		return false
	}
	sig, err := hex.DecodeString(hdr.Get("X-Signature-Ed25519"))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return false
	}
	stamp := hdr.Get("X-Signature-Timestamp")
	secs, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil {
		return false
	}
	if d := a.clock().Sub(time.Unix(secs, 0)); d > freshness || d < -freshness {
		return false
	}
	return ed25519.Verify(a.cfg.PublicKey, append([]byte(stamp), body...), sig)
}
