// The local Bot Connector ships with the project (npm run chat uses it); tests use the same one.
export * from '../../src/devtools/local-connector';
