package mail_test

import (
	"fmt"

	secmail "github.com/secours/secours/referral/mail"
)

func ExampleParseURL() {
	cfg, err := secmail.ParseURL("smtp://bot:s3cret@smtp.example.org?from=secours@example.org")
	if err != nil {
		fmt.Println(err)
		return
	}
	// Credentials to a remote host: STARTTLS becomes mandatory.
	fmt.Println(cfg.Host, cfg.Port, cfg.TLS)
	fmt.Println(cfg) // the password is redacted

	_, err = secmail.ParseURL("smtp://bot:s3cret@smtp.example.org?from=secours@example.org&tls=none")
	fmt.Println(err)
	// Output:
	// smtp.example.org 587 starttls
	// smtp://bot:REDACTED@smtp.example.org:587?from=secours%40example.org&tls=starttls
	// mail: SMTP URL: refusing to send credentials in cleartext to a host that is not loopback (tls=none)
}
