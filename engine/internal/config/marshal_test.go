package config

import "encoding/json"

func jsonMarshal(c *ExecConfig) ([]byte, error) { return json.Marshal(c) }
