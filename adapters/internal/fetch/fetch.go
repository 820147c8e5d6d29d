// Package fetch downloads a file a person handed icbot on a chat platform
// (a screenplay shared in a DM, an attachment to a command): from the
// platform's own file hosts only, redirects included, within a size and a
// time limit, and only when it is text. Every refusal is a bot.Error whose
// message tells the person what to do.
package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"

	"icbot/bot"
)

// Timeout bounds one download, redirects and reading included: a host
// that does not finish cannot hold the command forever.
const Timeout = 30 * time.Second

// Source is where files may come from, and how to ask for them.
type Source struct {
	// Platform names the platform in messages: "Slack", "Discord".
	Platform string
	// Client's transport carries the request (a proxy, a test's fake);
	// nil for Go's default. Its timeout and redirect policy are replaced.
	Client *http.Client
	// Allowed says whether a URL may be asked for: the first and every
	// redirect after it. The request carries Header, which may hold a
	// token.
	Allowed func(*url.URL) bool
	Header  http.Header
	// Timeout bounds the download; 0 means Timeout.
	Timeout time.Duration
}

// Get downloads target, at most max bytes, and returns its bytes once
// they are known to be text (UTF-8, no NUL). name is the file's name, for
// messages. A host that is not allowed, a file larger than max, one that
// is not text, and a download that fails are each refused with a message
// for the person who sent the file; nothing of it is logged.
func Get(ctx context.Context, src Source, name, target string, max int64) ([]byte, error) {
	u, err := url.Parse(target)
	if err != nil || !src.Allowed(u) {
		return nil, refusedHost(src, name, u)
	}
	c := &http.Client{Timeout: src.Timeout}
	if c.Timeout <= 0 {
		c.Timeout = Timeout
	}
	if src.Client != nil {
		c.Transport = src.Client.Transport
	}
	var refused *url.URL
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 || !src.Allowed(req.URL) {
			refused = req.URL
			return errRedirect
		}
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, refusedHost(src, name, u)
	}
	for k, vs := range src.Header {
		req.Header[k] = vs
	}
	resp, err := c.Do(req)
	if err != nil {
		if refused != nil {
			return nil, refusedHost(src, name, refused)
		}
		return nil, failed(src, name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, failed(src, name, fmt.Errorf("HTTP %d", resp.StatusCode))
	}
	if resp.ContentLength > max {
		return nil, TooBig(name, resp.ContentLength, max)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, failed(src, name, err)
	}
	if int64(len(data)) > max {
		return nil, TooBig(name, -1, max)
	}
	if err := Text(name, data); err != nil {
		return nil, err
	}
	return data, nil
}

var errRedirect = errors.New("redirect not followed")

// TooBig is the refusal of a file larger than max bytes; size is its
// size when known, or negative.
func TooBig(name string, size, max int64) error {
	what := "larger than"
	if size >= 0 {
		what = fmt.Sprintf("%s, larger than", mib(size))
	}
	return bot.Errorf(bot.EINVALID, "%s is %s %s, the most icbot reads, so it was not imported: share the screenplay as Fountain or Final Draft (.fdx) text, without pictures.",
		name, what, mib(max))
}

// Text refuses data that is not text a screenplay reader can read.
func Text(name string, data []byte) error {
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return bot.Errorf(bot.EINVALID, "%s is not a text file, so it was not imported: icbot reads screenplays in Fountain (.fountain, plain text in UTF-8) or Final Draft (.fdx).", name)
	}
	return nil
}

func refusedHost(src Source, name string, u *url.URL) error {
	host := "an unreadable address"
	if u != nil && u.Host != "" {
		host = u.Host
	}
	return &bot.Error{Code: bot.EUNAVAILABLE, Err: fmt.Errorf("file host %s not allowed", host),
		Message: fmt.Sprintf("%s was not downloaded, so nothing was imported: %s gave its address at %s, not at its own file host, and icbot fetches files only from there. Share the file again; if this goes on, tell whoever runs icbot.", name, src.Platform, host)}
}

func failed(src Source, name string, err error) error {
	// The address stays out of the cause, and so out of logs: a file's
	// address may be signed, letting its holder fetch it.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return &bot.Error{Code: bot.EUNAVAILABLE, Err: err,
		Message: fmt.Sprintf("%s could not be downloaded from %s, so nothing was imported: share it again in a minute.", name, src.Platform)}
}

// mib writes a size in MiB, or in bytes below one.
func mib(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
