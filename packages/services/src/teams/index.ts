export { addTeamMember, removeTeamMember } from './team-members';
export { createTeam, deleteTeam, getTeam, getTeamInOrg, listTeams, updateTeam } from './teams';
