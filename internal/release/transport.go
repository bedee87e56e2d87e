package release

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// hostOf returns the origin of u that the token is bound to: the scheme and
// the host with its port, lower-cased.
func hostOf(u *url.URL) string {
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// RedirectError is a redirect modelgate refused to follow because it leaves
// the hosts the token is meant for.
type RedirectError struct {
	From, To string // scheme://host of the request and of the redirect
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("the GitHub API at %s redirected to %s, another host: refused, the token goes only to the API host and its upload host; set GITHUB_API_URL to the API's own address", e.From, e.To)
}

// authClient returns a copy of base (nil: a default client) that sends the
// token only to the given origins (scheme://host:port, as hostOf) and
// refuses every redirect that leaves them. The check is made twice: the
// transport attaches the Authorization header per request, after every
// redirect, only when the request's origin is one of them, and the redirect
// policy stops a chain at the first hop outside them, so nothing (not even
// a request body) reaches another host.
func authClient(base *http.Client, token string, origins ...string) *http.Client {
	c := &http.Client{}
	if base != nil {
		*c = *base
	}
	if c.Transport == nil {
		c.Transport = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 2 * time.Minute,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          10,
			IdleConnTimeout:       90 * time.Second,
		}
	}
	allowed := map[string]bool{}
	for _, o := range origins {
		allowed[strings.ToLower(o)] = true
	}
	c.Transport = &authTransport{base: c.Transport, token: token, allowed: allowed}
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if to := hostOf(req.URL); !allowed[to] {
			return &RedirectError{From: hostOf(via[0].URL), To: to}
		}
		req.Header.Del("Authorization") // the transport sets it again
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return c
}

// authTransport adds the token to requests for the allowed origins only.
type authTransport struct {
	base    http.RoundTripper
	token   string
	allowed map[string]bool
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Del("Authorization")
	if t.token != "" && t.allowed[hostOf(req.URL)] {
		req.Header.Set("Authorization", "Bearer "+t.token)
	}
	return t.base.RoundTrip(req)
}

// unreachable says whether err is a failure to reach the host at all (no
// route, refused connection, unknown name), which repeating at once will
// not cure, unlike a server error.
func unreachable(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
