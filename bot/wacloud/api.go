package wacloud

// The Graph API's message objects, as small structs: what we send and
// what the webhook posts. Only the fields the channel uses.

// message is one POST /{phone-id}/messages.
type message struct {
	Product     string       `json:"messaging_product"` // always "whatsapp"
	Recipient   string       `json:"recipient_type"`    // always "individual"
	To          string       `json:"to"`
	Type        string       `json:"type"` // text, interactive, location, template
	Text        *textBody    `json:"text,omitempty"`
	Interactive *interactive `json:"interactive,omitempty"`
	Location    *location    `json:"location,omitempty"`
	Template    *template    `json:"template,omitempty"`
}

// readReceipt marks a received message read (the blue ticks).
type readReceipt struct {
	Product   string `json:"messaging_product"` // always "whatsapp"
	Status    string `json:"status"`            // always "read"
	MessageID string `json:"message_id"`
}

type textBody struct {
	Body string `json:"body"`
}

type interactive struct {
	Type   string  `json:"type"` // button, list, location_request_message
	Body   textArg `json:"body"`
	Action action  `json:"action"`
}

type textArg struct {
	Text string `json:"text"`
}

type action struct {
	Name     string    `json:"name,omitempty"`   // send_location
	Button   string    `json:"button,omitempty"` // a list's button
	Buttons  []button  `json:"buttons,omitempty"`
	Sections []section `json:"sections,omitempty"`
}

type button struct {
	Type  string `json:"type"` // reply
	Reply row    `json:"reply"`
}

type section struct {
	Title string `json:"title,omitempty"`
	Rows  []row  `json:"rows"`
}

type row struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	Address   string  `json:"address,omitempty"`
}

type template struct {
	Name       string      `json:"name"`
	Language   langCode    `json:"language"`
	Components []component `json:"components,omitempty"`
}

type langCode struct {
	Code string `json:"code"`
}

type component struct {
	Type       string      `json:"type"` // body
	Parameters []parameter `json:"parameters"`
}

type parameter struct {
	Type string `json:"type"` // text
	Text string `json:"text"`
}

// sendResult is the API's answer to a send.
type sendResult struct {
	Messages []struct {
		ID string `json:"id"`
	} `json:"messages"`
}

// graphError is the API's error body.
type graphError struct {
	Error struct {
		Code    int    `json:"code"`
		Subcode int    `json:"error_subcode"`
		Type    string `json:"type"`
	} `json:"error"`
}

// hook is one webhook post.
type hook struct {
	Object string `json:"object"`
	Entry  []struct {
		Changes []struct {
			Field string `json:"field"`
			Value value  `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type value struct {
	Metadata struct {
		PhoneNumberID string `json:"phone_number_id"`
	} `json:"metadata"`
	Messages []inMessage `json:"messages"`
	Statuses []status    `json:"statuses"`
}

type inMessage struct {
	From        string    `json:"from"`
	ID          string    `json:"id"`
	Timestamp   string    `json:"timestamp"`
	Type        string    `json:"type"`
	Text        *textBody `json:"text"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *row   `json:"button_reply"`
		ListReply   *row   `json:"list_reply"`
	} `json:"interactive"`
	Button *struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button"`
	Location *location `json:"location"`
}

type status struct {
	ID          string `json:"id"`
	Status      string `json:"status"` // sent, delivered, read, failed
	RecipientID string `json:"recipient_id"`
	Errors      []struct {
		Code int `json:"code"`
	} `json:"errors"`
}
