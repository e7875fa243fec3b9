module example.com/go-templates

go 1.19
