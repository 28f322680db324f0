from tmi_deploy.cli import main

main()
