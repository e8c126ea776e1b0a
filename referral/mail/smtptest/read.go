package smtptest

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
)

// Message is a received mail read back as its reader sees it.
type Message struct {
	Header  mail.Header
	Subject string // decoded from its RFC 2047 encoding
	// Text is a multipart mail's first part (the text one, in what
	// referral/mail builds), with quoted-printable undone; another
	// mail's body as it came.
	Text string
}

// Read parses the mail the server received, so that a test checks what a
// structure reads rather than the encoding.
func (r Received) Read() (Message, error) {
	m, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		return Message{}, fmt.Errorf("read mail: %w", err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return Message{}, fmt.Errorf("read mail subject: %w", err)
	}
	body := m.Body
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	switch {
	case err != nil:
		return Message{}, fmt.Errorf("read mail content type: %w", err)
	case strings.HasPrefix(mt, "multipart/"):
		p, err := multipart.NewReader(m.Body, params["boundary"]).NextPart() // undoes quoted-printable
		if err != nil {
			return Message{}, fmt.Errorf("read mail text part: %w", err)
		}
		body = p
	}
	text, err := io.ReadAll(body)
	if err != nil {
		return Message{}, fmt.Errorf("read mail text: %w", err)
	}
	return Message{Header: m.Header, Subject: subject, Text: string(text)}, nil
}
