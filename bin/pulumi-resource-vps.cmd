@echo off
rem pulumi-resource-vps: the native Pulumi provider plugin of pulumi-vps-backups.
node "%~dp0\..\dist\provider\native\main.js" %*
