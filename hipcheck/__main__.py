from hipcheck.commands.app import main

main()
