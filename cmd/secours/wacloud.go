package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"

	"github.com/secours/secours/bot/wacloud"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
)

// wacloudWebhook is the path Meta posts to, served on -http-addr: the
// app's callback URL is the public https address in front of it.
const wacloudWebhook = "/whatsapp/webhook"

// wacloudFlags reads the WhatsApp Cloud API settings. The token and the
// app secret come from the environment or a file only: flags show in ps.
// The verify token is only a shared word of the subscription check, but
// it is read from the environment too, with the others.
func wacloudFlags(fs *flag.FlagSet, c *wacloud.Settings, getenv func(string) string, templates, lang *string) {
	c.Token = getenv("WHATSAPP_CLOUD_TOKEN")
	c.AppSecret = getenv("WHATSAPP_CLOUD_APP_SECRET")
	c.VerifyToken = getenv("WHATSAPP_CLOUD_VERIFY_TOKEN")
	fs.StringVar(&c.TokenFile, "whatsapp-cloud-token-file", "",
		"file holding the Cloud API access token, instead of WHATSAPP_CLOUD_TOKEN (a secret never goes on the command line)")
	fs.StringVar(&c.AppSecretFile, "whatsapp-cloud-app-secret-file", "",
		"file holding the Meta app secret that signs the webhook, instead of WHATSAPP_CLOUD_APP_SECRET")
	fs.StringVar(&c.PhoneID, "whatsapp-cloud-phone-id", getenv("WHATSAPP_CLOUD_PHONE_ID"),
		"phone number id (not the number) of the WhatsApp Business Cloud API; with WHATSAPP_CLOUD_TOKEN, "+
			"WHATSAPP_CLOUD_APP_SECRET and WHATSAPP_CLOUD_VERIFY_TOKEN (environment only) it turns the channel on; "+
			"Meta posts to "+wacloudWebhook+" on -http-addr, behind a public https URL [WHATSAPP_CLOUD_PHONE_ID]")
	fs.StringVar(&c.APIVersion, "whatsapp-cloud-api-version", getenv("WHATSAPP_CLOUD_API_VERSION"),
		"Graph API version; empty: "+wacloud.DefaultAPIVersion+" [WHATSAPP_CLOUD_API_VERSION]")
	fs.StringVar(&c.BaseURL, "whatsapp-cloud-base-url", getenv("WHATSAPP_CLOUD_BASE_URL"),
		"Graph API base URL; empty: "+wacloud.DefaultBaseURL+" (a local fake may stand in) [WHATSAPP_CLOUD_BASE_URL]")
	fs.StringVar(&c.Rate, "whatsapp-cloud-rate", getenv("WHATSAPP_CLOUD_RATE"),
		fmt.Sprintf("messages a second this process sends to the Cloud API, all chats together; empty: %d. "+
			"Instances sharing a number share its throughput. off: no pacing (a local fake API) [WHATSAPP_CLOUD_RATE]", wacloud.DefaultRate))
	fs.StringVar(templates, "whatsapp-cloud-templates", getenv("WHATSAPP_CLOUD_TEMPLATES"),
		"approved templates of the messages sent more than 24 h after the person's last, by session language: "+
			"fr=secours_suivi:fr,nl=secours_opvolging:nl (language=template name:language code); a language without "+
			"one keeps its messages until the person writes again [WHATSAPP_CLOUD_TEMPLATES]")
	fs.StringVar(lang, "whatsapp-cloud-lang", getenv("WHATSAPP_CLOUD_LANG"),
		"fr or nl: the language of a message whose session does not tell it; empty: fr [WHATSAPP_CLOUD_LANG]")
}

// checkWacloud completes the settings from the strings read and names
// what is wrong.
func checkWacloud(c *wacloud.Settings, templates, lang string) []string {
	var problems []string
	t, err := wacloud.ParseTemplates(templates)
	if err != nil {
		problems = append(problems, err.Error())
	} else if len(t) > 0 {
		c.Templates = t
	}
	c.DefaultLang = flows.Lang(strings.ToLower(lang))
	return append(problems, c.Check()...)
}

// wacloudWindow is the store's window of the channel, nil if it has none.
func wacloudWindow(st any) wacloud.Window {
	if w, ok := st.(wacloud.Window); ok {
		return w
	}
	return nil
}

// buildWacloud makes the WhatsApp Cloud API channel: its webhook on the
// process's mux, its pushes through the senders, the window in the
// store. It stops taking messages at close, once the HTTP server is shut
// down (its requests answered), and waits for those queued.
func (p *process) buildWacloud() error {
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		return fmt.Errorf("WHATSAPP_CLOUD_PHONE_ID: %w", err)
	}
	st := p.store
	a, err := wacloud.New(p.runner, wacloud.Options{
		Settings: p.cfg.WhatsAppCloud, Catalogs: cats, Texts: configs.FS, Window: wacloudWindow(st), Log: p.log,
		Lang: func(ctx context.Context, chat flows.ChatID) flows.Lang {
			if s, err := st.Load(ctx, chat); err == nil {
				return s.Lang
			}
			return "" // no session (expired): the default language
		},
	})
	if err != nil {
		return err
	}
	p.mux.Handle(wacloudWebhook, a.WebhookHandler())
	p.senders["wc"] = a
	var closed atomic.Bool
	p.ready.Add("whatsapp_cloud", func(context.Context) error {
		if closed.Load() {
			return errors.New("stopped")
		}
		return nil
	})
	p.undo = append(p.undo, func() {
		closed.Store(true)
		a.Close()
		a.Wait()
	})
	p.log.Info("whatsapp cloud channel ready", slog.Any("config", p.cfg.WhatsAppCloud))
	return nil
}
