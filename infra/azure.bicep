// Azure resources for the AI Policy Assistant, deployed by `teamsapp provision` (arm/deploy in teamsapp.yml).
// The bot authenticates as a user-assigned managed identity: no client secret exists anywhere, and the
// same identity reaches Storage and Azure OpenAI through Entra ID roles (shared keys and API keys are off).
// Outputs in CAPITALS are written by the toolkit into env/.env.<environment> and fill the manifest placeholders.

@maxLength(12)
@minLength(3)
@description('Short lowercase prefix for resource names; a hash of the resource group keeps names unique.')
param resourceBaseName string

param location string = resourceGroup().location

@description('Name shown for the Azure Bot resource.')
param botDisplayName string = 'AI Policy Assistant'

@allowed(['B1', 'B2', 'B3', 'S1', 'S2', 'S3', 'P0v3', 'P1v3', 'P2v3'])
@description('App Service plan size. B1 is enough for one trust; a Basic plan or higher is needed for Always On.')
param webAppSku string = 'B1'

@allowed(['F0', 'S1'])
@description('Azure Bot SKU. Teams is a standard channel, so F0 is free for Teams messages.')
param botServiceSku string = 'F0'

@description('Azure OpenAI model deployed for worded answers.')
param openAIModelName string = 'gpt-4o-mini'
param openAIModelVersion string = '2024-07-18'

@allowed(['GlobalStandard', 'DataZoneStandard', 'Standard'])
@description('DataZoneStandard keeps processing inside the data zone (e.g. EU); Standard keeps it in the region.')
param openAIDeploymentSku string = 'GlobalStandard'

@description('Deployment capacity in thousands of tokens per minute.')
param openAIDeploymentCapacity int = 30

param openAIApiVersion string = '2024-10-21'

@description('Folder (relative to the app) holding the trust policies to answer from.')
param policiesPath string = 'policies/example'

@description('Teams team id (groupId) of the DPO team; the bot must also be installed in that team.')
param dpoTeamId string = ''

@description('Channel id in the DPO team where incident and DPIA cards go (19:...@thread.tacv2).')
param dpoChannelId string = ''

@description('Name and contact of the trust Data Protection Officer, shown in answers and checklists.')
param dpoName string = ''
param dpoContact string = ''

@description('Optional SharePoint site and list ids of the trust breach log; leave empty to keep the log in the bot only.')
param breachLogSiteId string = ''
param breachLogListId string = ''

@description('Designated Safeguarding Lead shown to staff for safeguarding concerns.')
param dslName string = ''
param dslContact string = ''

var suffix = uniqueString(resourceGroup().id)
var baseName = toLower('${resourceBaseName}${suffix}')
// Storage account names: 3-24 lowercase letters and digits.
var storageAccountName = take(replace(baseName, '-', ''), 24)
var stateContainerName = 'bot-state'
// The bot's Table store names its table `<AZURE_STORAGE_TABLE_PREFIX>records`, created here up front.
var tablePrefix = 'policybot'
var recordsTableName = '${tablePrefix}records'

var roleIds = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  cognitiveServicesOpenAIUser: '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${baseName}-identity'
  location: location
}

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${baseName}-logs'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${baseName}-insights'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // Only Entra ID (the managed identity) may read or write: no account keys, no SAS.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource stateContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: stateContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource recordsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: recordsTableName
}

resource openAI 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: '${baseName}-openai'
  location: location
  kind: 'OpenAI'
  sku: {
    name: 'S0'
  }
  properties: {
    // A custom subdomain is required for Entra ID tokens; local (API key) auth is switched off.
    customSubDomainName: '${baseName}-openai'
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource openAIDeployment 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = {
  parent: openAI
  name: openAIModelName
  sku: {
    name: openAIDeploymentSku
    capacity: openAIDeploymentCapacity
  }
  properties: {
    model: {
      format: 'OpenAI'
      name: openAIModelName
      version: openAIModelVersion
    }
  }
}

resource blobRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roleIds.storageBlobDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource tableRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roleIds.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageTableDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource openAIRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(openAI.id, identity.id, roleIds.cognitiveServicesOpenAIUser)
  scope: openAI
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.cognitiveServicesOpenAIUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource appServicePlan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${baseName}-plan'
  location: location
  kind: 'linux'
  sku: {
    name: webAppSku
  }
  properties: {
    reserved: true
  }
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: '${baseName}-app'
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: appServicePlan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      appCommandLine: 'node dist/src/index.js'
      alwaysOn: true
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
      healthCheckPath: '/healthz'
      appSettings: [
        {
          // The deploy step uploads the built app with its node_modules; App Service must not rebuild it.
          name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
          value: 'false'
        }
        {
          name: 'MICROSOFT_APP_ID'
          value: identity.properties.clientId
        }
        {
          name: 'MICROSOFT_APP_TYPE'
          value: 'UserAssignedMSI'
        }
        {
          name: 'MICROSOFT_APP_TENANT_ID'
          value: identity.properties.tenantId
        }
        {
          // Activities from any other tenant are refused with 403.
          name: 'ALLOWED_TENANT_ID'
          value: identity.properties.tenantId
        }
        {
          // DefaultAzureCredential picks the user-assigned identity by this client id.
          name: 'AZURE_CLIENT_ID'
          value: identity.properties.clientId
        }
        {
          name: 'AZURE_OPENAI_ENDPOINT'
          value: openAI.properties.endpoint
        }
        {
          name: 'AZURE_OPENAI_DEPLOYMENT'
          value: openAIDeployment.name
        }
        {
          name: 'AZURE_OPENAI_API_VERSION'
          value: openAIApiVersion
        }
        {
          name: 'AZURE_STORAGE_BLOB_URL'
          value: storage.properties.primaryEndpoints.blob
        }
        {
          name: 'AZURE_STORAGE_TABLE_URL'
          value: storage.properties.primaryEndpoints.table
        }
        {
          name: 'AZURE_STORAGE_CONTAINER'
          value: stateContainer.name
        }
        {
          name: 'AZURE_STORAGE_TABLE_PREFIX'
          value: tablePrefix
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsights.properties.ConnectionString
        }
        {
          name: 'DPO_TEAM_ID'
          value: dpoTeamId
        }
        {
          name: 'DPO_CHANNEL_ID'
          value: dpoChannelId
        }
        {
          name: 'DPO_NAME'
          value: dpoName
        }
        {
          name: 'DPO_CONTACT'
          value: dpoContact
        }
        {
          name: 'BREACH_LOG_SITE_ID'
          value: breachLogSiteId
        }
        {
          name: 'BREACH_LOG_LIST_ID'
          value: breachLogListId
        }
        {
          name: 'DSL_NAME'
          value: dslName
        }
        {
          name: 'DSL_CONTACT'
          value: dslContact
        }
        {
          name: 'POLICIES_PATH'
          value: policiesPath
        }
      ]
    }
  }
  // The table must exist and the roles be granted before the first turn reaches the bot.
  dependsOn: [
    recordsTable
    blobRole
    tableRole
    openAIRole
  ]
}

resource botService 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${baseName}-bot'
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: botServiceSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppId: identity.properties.clientId
    msaAppTenantId: identity.properties.tenantId
    msaAppType: 'UserAssignedMSI'
    msaAppMSIResourceId: identity.id
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: botService
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      acceptedTerms: true
      deploymentEnvironment: 'CommercialDeployment'
    }
  }
}

output BOT_ID string = identity.properties.clientId
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output AZURE_OPENAI_ENDPOINT string = openAI.properties.endpoint
output AZURE_STORAGE_BLOB_URL string = storage.properties.primaryEndpoints.blob
output AZURE_STORAGE_TABLE_URL string = storage.properties.primaryEndpoints.table
