package share_test

import (
	"fmt"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/web/share"
)

func ExampleKit_For() {
	k, err := share.New(configs.Web, configs.FS)
	if err != nil {
		fmt.Println(err)
		return
	}
	l := k.For("be-epn/marolles", "@SecoursBot", "+32 470 12 34 56", share.FR)
	fmt.Println(l.Code)
	fmt.Println(l.Telegram)
	fmt.Println(l.WhatsApp)
	// Output:
	// so5ctwx7beo
	// https://t.me/SecoursBot?start=so5ctwx7beo
	// https://wa.me/32470123456?text=Bonjour%20Secours%20%21%20Code%20so5ctwx7beo
}

func ExampleNumber() {
	for _, s := range []string{"+32 470 12 34 56", "0032 470/12.34.56", "0470 12 34 56"} {
		n, err := share.Number(s)
		fmt.Printf("%q %v\n", n, err)
	}
	// Output:
	// "32470123456" <nil>
	// "32470123456" <nil>
	// "" share: a WhatsApp number is + and the country code, then 8 to 15 digits in all
}
