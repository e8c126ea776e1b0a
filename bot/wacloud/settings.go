package wacloud

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/secret"
)

// The defaults of Settings.
const (
	DefaultAPIVersion = "v23.0"
	DefaultBaseURL    = "https://graph.facebook.com"
	// DefaultRate is below the Cloud API's throughput of a new number (80
	// messages a second), so that several instances sharing a number stay
	// under it.
	DefaultRate = 20
)

// Template is an approved message template: its name and language code
// as created in Meta's WhatsApp Manager. Its body must hold one text
// variable, {{1}}, which carries the push's text.
type Template struct {
	Name     string // "secours_suivi"
	Language string // "fr", "nl", "nl_BE"…
}

// Settings are the Cloud API channel's settings as the command reads
// them. Secrets come from the environment or a file, never a flag.
type Settings struct {
	// Token is the system user's access token; TokenFile a file holding
	// it, read when the adapter is made (a mounted secret).
	Token, TokenFile string
	// PhoneID is the phone number id (not the number) the messages are
	// sent from; the webhook's posts for another number are ignored.
	PhoneID string
	// AppSecret signs the webhook's posts; AppSecretFile a file holding it.
	AppSecret, AppSecretFile string
	// VerifyToken is the token of the webhook's subscription check, as
	// typed in the app's webhook settings.
	VerifyToken string
	// APIVersion is the Graph API version in the URL; "": DefaultAPIVersion.
	APIVersion string
	// BaseURL is the Graph API's; "": DefaultBaseURL. Tests point it at a
	// fake.
	BaseURL string
	// Rate is the messages sent a second, all chats together: a number,
	// "" for DefaultRate, or "off" (the load tool, against a fake).
	Rate string
	// Templates are the templates of the pushes sent outside the 24-hour
	// window, by session language. A language without one holds its
	// pushes until the person writes again.
	Templates map[flows.Lang]Template
	// DefaultLang is the language of a push whose replies do not tell it
	// (no label of a catalogue among its choices): "" is French, the
	// language of most deployments. Options.Lang, if set, is asked first.
	DefaultLang flows.Lang
}

// Enabled reports whether the channel runs.
func (c Settings) Enabled() bool {
	return c.PhoneID != "" || c.Token != "" || c.TokenFile != ""
}

// LogValue shows the settings but no secret: whether each is set.
func (c Settings) LogValue() slog.Value {
	if !c.Enabled() {
		return slog.StringValue("off")
	}
	attrs := []slog.Attr{
		slog.String("phone_id", c.PhoneID), slog.String("api", c.version()), slog.String("base_url", c.base()),
		slog.Bool("token", c.Token != "" || c.TokenFile != ""), slog.Bool("app_secret", c.AppSecret != "" || c.AppSecretFile != ""),
		slog.Bool("verify_token", c.VerifyToken != ""), slog.String("rate", c.Rate),
	}
	for _, l := range slices.Sorted(maps.Keys(c.Templates)) {
		attrs = append(attrs, slog.String("template_"+string(l), c.Templates[l].Name+":"+c.Templates[l].Language))
	}
	return slog.GroupValue(attrs...)
}

func (c Settings) version() string {
	if c.APIVersion == "" {
		return DefaultAPIVersion
	}
	return c.APIVersion
}

func (c Settings) base() string {
	if c.BaseURL == "" {
		return DefaultBaseURL
	}
	return strings.TrimRight(c.BaseURL, "/")
}

func (c Settings) defaultLang() flows.Lang {
	if c.DefaultLang == "" {
		return flows.FR
	}
	return c.DefaultLang
}

// rate reads Rate: messages a second, 0 for none.
func (c Settings) rate() (float64, error) {
	switch c.Rate {
	case "":
		return DefaultRate, nil
	case "off":
		return 0, nil
	}
	r, err := strconv.ParseFloat(c.Rate, 64)
	if err != nil || !(r > 0) || math.IsInf(r, 1) {
		return 0, fmt.Errorf("WHATSAPP_CLOUD_RATE: %q is not a positive number of messages a second, or off", c.Rate)
	}
	return r, nil
}

// Check names what is wrong in the settings, in plain words and without
// quoting a secret.
func (c Settings) Check() []string {
	if !c.Enabled() {
		if c.AppSecret != "" || c.AppSecretFile != "" || c.VerifyToken != "" || len(c.Templates) > 0 {
			return []string{"WHATSAPP_CLOUD_APP_SECRET / _VERIFY_TOKEN / _TEMPLATES: set without WHATSAPP_CLOUD_PHONE_ID and WHATSAPP_CLOUD_TOKEN"}
		}
		return nil
	}
	var bad []string
	if p := secretProblem(c.Token, c.TokenFile, "WHATSAPP_CLOUD_TOKEN", "the access token is missing"); p != "" {
		bad = append(bad, p)
	}
	if c.PhoneID == "" || strings.Trim(c.PhoneID, "0123456789") != "" {
		bad = append(bad, "WHATSAPP_CLOUD_PHONE_ID: the phone number id (digits, not the number) is missing or malformed")
	}
	if p := secretProblem(c.AppSecret, c.AppSecretFile, "WHATSAPP_CLOUD_APP_SECRET",
		"the app secret is missing; unsigned webhooks would be refused"); p != "" {
		bad = append(bad, p)
	}
	if c.VerifyToken == "" {
		bad = append(bad, "WHATSAPP_CLOUD_VERIFY_TOKEN: the webhook's verify token is missing")
	}
	if v := c.version(); len(v) < 2 || v[0] != 'v' || strings.Trim(v[1:], "0123456789.") != "" {
		bad = append(bad, fmt.Sprintf("WHATSAPP_CLOUD_API_VERSION: %q is not a version like %s", v, DefaultAPIVersion))
	}
	if u, err := url.Parse(c.base()); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		bad = append(bad, "WHATSAPP_CLOUD_BASE_URL: not an http(s) URL")
	}
	if _, err := c.rate(); err != nil {
		bad = append(bad, err.Error())
	}
	for _, l := range slices.Sorted(maps.Keys(c.Templates)) {
		if tp := c.Templates[l]; l != flows.FR && l != flows.NL || tp.Name == "" || tp.Language == "" {
			bad = append(bad, fmt.Sprintf("WHATSAPP_CLOUD_TEMPLATES: %q needs a catalogue language (fr, nl), a name and a language code", string(l)))
		}
	}
	if l := c.DefaultLang; l != "" && l != flows.FR && l != flows.NL {
		bad = append(bad, fmt.Sprintf("WHATSAPP_CLOUD_LANG: %q is not fr or nl", string(l)))
	}
	return bad
}

// secretProblem words what is wrong with the secret env names, given as
// a value or by its -…-file flag; "" if nothing.
func secretProblem(value, file, env, missing string) string {
	v, err := secret.Read(value, file)
	switch {
	case errors.Is(err, secret.ErrBoth):
		flag := "-" + strings.ReplaceAll(strings.ToLower(env), "_", "-") + "-file"
		return env + " and " + flag + " are both set: keep one"
	case err != nil:
		return env + "_FILE: the file cannot be read"
	case v == "":
		return env + " (or _FILE): " + missing
	}
	return ""
}

// ParseTemplates reads the templates as one setting lists them:
// "fr=secours_suivi:fr,nl=secours_opvolging:nl" (language of the session
// = template name : template language code). "" is none.
func ParseTemplates(s string) (map[flows.Lang]Template, error) {
	out := map[flows.Lang]Template{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lang, rest, ok1 := strings.Cut(part, "=")
		name, code, ok2 := strings.Cut(rest, ":")
		if !ok1 || !ok2 || name == "" || code == "" {
			return nil, fmt.Errorf("WHATSAPP_CLOUD_TEMPLATES: %q is not lang=name:code", part)
		}
		out[flows.Lang(strings.TrimSpace(lang))] = Template{Name: strings.TrimSpace(name), Language: strings.TrimSpace(code)}
	}
	return out, nil
}
