package wacloudtest

import (
	"encoding/json"
	"strconv"
)

// The Graph API's JSON shapes the fake reads and writes, as Meta
// documents them (Cloud API reference: Messages, Webhooks).

// request is the body of a POST …/messages.
type request struct {
	MessagingProduct string        `json:"messaging_product"`
	RecipientType    string        `json:"recipient_type"`
	To               string        `json:"to"`
	Type             string        `json:"type"`
	Status           string        `json:"status"`     // "read": a read receipt
	MessageID        string        `json:"message_id"` // of the read receipt
	Context          *msgContext   `json:"context"`
	Text             *textBody     `json:"text"`
	Interactive      *interactive  `json:"interactive"`
	Location         *locationJSON `json:"location"`
	Template         *template     `json:"template"`
}

type msgContext struct {
	MessageID string `json:"message_id"`
}

type textBody struct {
	Body       string `json:"body"`
	PreviewURL bool   `json:"preview_url"`
}

type interactive struct {
	Type   string     `json:"type"` // button, list, location_request_message
	Header *header    `json:"header"`
	Body   *textPart  `json:"body"`
	Footer *textPart  `json:"footer"`
	Action *ixnAction `json:"action"`
}

type header struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type textPart struct {
	Text string `json:"text"`
}

type ixnAction struct {
	Name     string    `json:"name"`   // send_location
	Button   string    `json:"button"` // the list's button
	Buttons  []button  `json:"buttons"`
	Sections []section `json:"sections"`
}

type button struct {
	Type  string `json:"type"`
	Reply struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"reply"`
}

type section struct {
	Title string `json:"title"`
	Rows  []row  `json:"rows"`
}

type row struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

type template struct {
	Name     string `json:"name"`
	Language struct {
		Code string `json:"code"`
	} `json:"language"`
	Components []struct {
		Type       string `json:"type"`
		Parameters []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"parameters"`
	} `json:"components"`
}

// sendOK is the answer to an accepted message.
type sendOK struct {
	MessagingProduct string `json:"messaging_product"`
	Contacts         []struct {
		Input string `json:"input"`
		WaID  string `json:"wa_id"`
	} `json:"contacts"`
	Messages []struct {
		ID string `json:"id"`
	} `json:"messages"`
}

// graphError is the body of an error answer.
type graphError struct {
	Error graphErrorBody `json:"error"`
}

type graphErrorBody struct {
	Message   string     `json:"message"`
	Type      string     `json:"type"`
	Code      int        `json:"code"`
	Subcode   int        `json:"error_subcode,omitempty"`
	ErrorData *errorData `json:"error_data,omitempty"`
	FBTraceID string     `json:"fbtrace_id"`
}

type errorData struct {
	MessagingProduct string `json:"messaging_product"`
	Details          string `json:"details"`
}

// envelope is a webhook body.
type envelope struct {
	Object string      `json:"object"`
	Entry  []entryJSON `json:"entry"`
}

type entryJSON struct {
	ID      string   `json:"id"`
	Changes []change `json:"changes"`
}

type change struct {
	Field string `json:"field"`
	Value value  `json:"value"`
}

type value struct {
	MessagingProduct string `json:"messaging_product"`
	Metadata         struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []contact        `json:"contacts,omitempty"`
	Messages []map[string]any `json:"messages,omitempty"`
	Statuses []statusJSON     `json:"statuses,omitempty"`
}

type contact struct {
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
	WaID string `json:"wa_id"`
}

type statusJSON struct {
	ID           string          `json:"id"`
	Status       string          `json:"status"`
	Timestamp    string          `json:"timestamp"`
	RecipientID  string          `json:"recipient_id"`
	Conversation json.RawMessage `json:"conversation,omitempty"`
	Pricing      json.RawMessage `json:"pricing,omitempty"`
	Errors       []statusError   `json:"errors,omitempty"`
}

type statusError struct {
	Code      int    `json:"code"`
	Title     string `json:"title"`
	Message   string `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
	Href string `json:"href"`
}

type locationJSON struct {
	Latitude  *flexFloat `json:"latitude"`
	Longitude *flexFloat `json:"longitude"`
	Name      string     `json:"name"`
	Address   string     `json:"address"`
}

// flexFloat reads a number or a numeric string: Meta's examples send
// coordinates as strings, and it accepts both.
type flexFloat float64

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		b = []byte(s)
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*f = flexFloat(v)
	return nil
}
