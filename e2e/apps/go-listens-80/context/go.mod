module example.com/go-listens-80

go 1.19
