from tmi_deploy.cli.app import main

main()
