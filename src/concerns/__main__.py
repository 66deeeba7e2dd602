from concerns.cli import main

main()
